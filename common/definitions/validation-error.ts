/** One problem in a definition, located by a JSON pointer (e.g. `/steps/2/next`). */
export interface ValidationError {
  pointer: string;
  message: string;
  /** Stable machine code, e.g. `schema.required`, `unknown_target`, `duplicate_step_id`. */
  code: string;
}
