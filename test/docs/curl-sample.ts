/**
 * A curl sample read as the request it sends. Only the options the samples need
 * are understood (--request/-X, --header/-H, --data/-d); any other option is an
 * error, so a sample cannot say more than this test checks.
 */
import { shellWords } from "./shell-words.js";

export interface CurlRequest {
  url: string;
  method: string;
  /** Header names lowercased; a repeated header is an error. */
  headers: Record<string, string>;
  data: string | undefined;
}

export function parseCurl(source: string, variables: Record<string, string> = {}): CurlRequest {
  const [program, ...args] = shellWords(source, variables);
  if (program !== "curl") throw new Error(`not a curl command: ${source}`);
  const request: CurlRequest = { url: "", method: "", headers: {}, data: undefined };
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    const value = () => {
      const next = args[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === "--request" || arg === "-X") request.method = value();
    else if (arg === "--header" || arg === "-H") {
      const header = value();
      const colon = header.indexOf(":");
      if (colon < 1) throw new Error(`not a header: ${header}`);
      const name = header.slice(0, colon).trim().toLowerCase();
      if (name in request.headers) throw new Error(`header ${name} given twice`);
      request.headers[name] = header.slice(colon + 1).trim();
    } else if (arg === "--data" || arg === "-d") {
      if (request.data !== undefined) throw new Error("--data given twice");
      request.data = value();
    } else if (arg.startsWith("-"))
      throw new Error(`curl option ${arg} is not one this test understands`);
    else if (request.url) throw new Error(`two URLs: ${request.url} and ${arg}`);
    else request.url = arg;
  }
  // curl's own default: GET, or POST when there is --data.
  if (!request.method) request.method = request.data === undefined ? "GET" : "POST";
  return request;
}
