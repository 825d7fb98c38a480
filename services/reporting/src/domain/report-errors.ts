/** A report request that is well-formed but cannot be answered as asked (a 400). */
export class ReportRequestError extends Error {
  /** The query parameter at fault. */
  readonly parameter: string;

  constructor(parameter: string, message: string) {
    super(message);
    this.name = 'ReportRequestError';
    this.parameter = parameter;
  }
}
