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
