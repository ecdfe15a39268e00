// Styles of the role screens' forms (speaker, stand, console): full-width fields,
// checkboxes with 44 px rows, a red alert for a refusal, a green line for success.
import { css } from "lit";

export const formStyles = css`
  form {
    margin: 0.5rem 0 1rem;
  }
  input:not([type="checkbox"]):not([type="radio"]),
  select,
  textarea {
    width: 100%;
  }
  textarea {
    min-height: 5rem;
    resize: vertical;
  }
  fieldset {
    border: 1px solid var(--line);
    border-radius: 0.6rem;
    margin: 0.75rem 0;
    padding: 0.25rem 0.75rem 0.75rem;
  }
  legend {
    font-weight: 600;
    padding: 0 0.25rem;
  }
  .row {
    display: grid;
    grid-template-columns: 1fr 1fr;
    gap: 0.5rem;
  }
  label.check {
    display: flex;
    align-items: center;
    gap: 0.6rem;
    min-height: 44px;
    margin: 0;
    font-weight: normal;
  }
  label.check input {
    width: 1.3rem;
    height: 1.3rem;
    margin: 0;
    flex: 0 0 auto;
  }
  .actions {
    display: flex;
    gap: 0.5rem;
    flex-wrap: wrap;
    margin-top: 0.75rem;
  }
  .hint {
    font-size: 0.9rem;
    color: var(--muted);
    margin: 0.2rem 0;
  }
  .problem {
    margin: 0.75rem 0;
    padding: 0.6rem 0.8rem;
    border-left: 4px solid #8a1710;
    border-radius: 0.4rem;
    background: #ffe9e7;
    color: #5c0f0a;
  }
  .problem span {
    display: block;
  }
  .done {
    margin: 0.75rem 0;
    padding: 0.6rem 0.8rem;
    border-left: 4px solid #1c7a3e;
    border-radius: 0.4rem;
    background: #e6f4ea;
    color: #0f4424;
  }
  button.danger {
    background: #8a1710;
    border-color: #8a1710;
    color: #fff;
  }
`;
