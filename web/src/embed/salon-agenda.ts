// Placeholder for the embeddable <salon-agenda> element (one script for other sites).
export {};
