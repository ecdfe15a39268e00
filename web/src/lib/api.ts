// GraphQL over HTTP, same origin. Errors keep the contract's `extensions.code`, so a
// screen can tell "you are offline" from "the server said no".
import { token } from "./auth";
import { lang } from "./i18n";

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** The request never reached the server (offline, venue Wi-Fi gone, server down). */
export class OfflineError extends Error {}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export async function graphql<T>(
  query: string,
  variables: Record<string, unknown> = {},
  options: { signal?: AbortSignal } = {},
): Promise<T> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json",
    "accept-language": lang(),
  };
  const bearer = token();
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  let response: Response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers,
      body: JSON.stringify({ query, variables }),
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new OfflineError(String(error));
  }
  if (response.status >= 500) throw new OfflineError(`server answered ${response.status}`);
  const body = (await response.json()) as GraphQLResponse<T>;
  if (body.errors?.length) {
    const first = body.errors[0];
    throw new ApiError(first.message, first.extensions?.code ?? "BAD_USER_INPUT");
  }
  if (body.data == null) throw new ApiError("empty answer", "INTERNAL_SERVER_ERROR");
  return body.data;
}

/** One refusal of an imported file, where it is and why (in the request's language). */
export interface ImportRefusal {
  file: string;
  line: number | null;
  column: string | null;
  code: string;
  message: string;
  text: string;
}

export interface ImportOutcome {
  count: number;
  ids: string[];
}

export interface ImportReport {
  file: string;
  dryRun: boolean;
  changesAnything: boolean;
  kinds: Record<string, Record<string, ImportOutcome>>;
  notices: { kind: string; sessionId: string; audience: number; promoted: number; text: string }[];
}

export interface ImportAnswer {
  applied: boolean;
  refusals: ImportRefusal[];
  report: ImportReport | null;
  error?: { code: string; message: string };
}

/**
 * Upload a schedule or exhibitor file to the organisers' import (POST /admin/import,
 * same origin). The server's answer whatever its status: refusals and errors are
 * answers too; a body too large has no JSON of ours, so it gets the code TOO_LARGE.
 */
export async function uploadImport(file: File, options: { dryRun: boolean; prune: boolean }): Promise<ImportAnswer> {
  const form = new FormData();
  form.append("file", file, file.name);
  form.append("dry_run", options.dryRun ? "true" : "false");
  form.append("prune", options.prune ? "true" : "false");
  const headers: Record<string, string> = { accept: "application/json", "accept-language": lang() };
  const bearer = token();
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  let response: Response;
  try {
    response = await fetch("/admin/import", { method: "POST", headers, body: form });
  } catch (error) {
    throw new OfflineError(String(error));
  }
  if (response.status === 413) {
    return { applied: false, refusals: [], report: null, error: { code: "TOO_LARGE", message: "" } };
  }
  if (response.status >= 500) throw new OfflineError(`server answered ${response.status}`);
  return (await response.json()) as ImportAnswer;
}
