"""B2B meetings (rencontres B2B): business profiles, matches, the meeting plan and its
slots, requests and their answers, and leads captured at the stands."""
