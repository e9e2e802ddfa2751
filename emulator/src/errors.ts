/**
 * Errors in the service's JSON shape. The SDKs build their exceptions from this body (`RestError.code`,
 * openai `APIError.error`), so every failure, ours or the caller's, leaves as `{"error":{...}}` with a
 * status the SDKs already know how to treat (they retry 429 and 5xx, so bad input must never be a 5xx).
 */
export type ErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "rate_limit_error"
  | "server_error";

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly type: ErrorType;
  readonly param: string | null;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: string,
    message: string,
    opts: { type?: ErrorType; param?: string | null; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.type = opts.type ?? (status >= 500 ? "server_error" : "invalid_request_error");
    this.param = opts.param ?? null;
    this.headers = opts.headers ?? {};
  }

  /** Key order as the service sends it (`code, message, param, type`), so bodies compare equal as text. */
  toBody(): { error: { code: string; message: string; param: string | null; type: ErrorType } } {
    return { error: { code: this.code, message: this.message, param: this.param, type: this.type } };
  }
}

export const badRequest = (code: string, message: string, param: string | null = null): ApiError =>
  new ApiError(400, code, message, { param });

/** A wrong or missing field: names the field so the caller knows what to fix. */
export const invalidPayload = (param: string, message: string): ApiError =>
  new ApiError(400, "invalid_payload", message, { param });

export const invalidValue = (param: string, message: string): ApiError =>
  new ApiError(400, "invalid_value", message, { param });

export const notFound = (message: string, param: string | null = null): ApiError =>
  new ApiError(404, "not_found", message, { param });

/** The 404s of objects a tool refers to: raised by their routes and by the skills that use them. */
export const containerNotFound = (id: string, param: string | null = null) =>
  notFound(`No container found with id '${id}'.`, param);
export const fileNotFound = (id: string, param: string | null = null) =>
  notFound(`No file found with id '${id}'.`, param);
export const vectorStoreNotFound = (id: string, param: string | null = null) =>
  notFound(`Vector store with id '${id}' not found.`, param);

/**
 * The model behind a deployment could not produce this turn (a local model server down, too slow, busy or
 * answering something that is not a model's reply). Before any output: JSON error; a stream that asked
 * for events gets `response.failed` carrying the same sentence. Not retried by the SDK unless it is a 429.
 */
export class ModelError extends ApiError {
  /** The model that failed, for the failed response's `model`. */
  readonly model: string | undefined;

  constructor(status: number, message: string, model?: string) {
    super(status, status === 429 ? "rate_limit_exceeded" : "server_error", message, {
      type: status === 429 ? "rate_limit_error" : "server_error",
      headers: status === 429 ? {} : { "x-should-retry": "false" },
    });
    this.model = model;
  }
}
