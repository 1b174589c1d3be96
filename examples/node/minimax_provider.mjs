// The AI SDK's provider for MiniMax, shared by ai_sdk.mjs and ai_sdk_tools.mjs: the base URL from MINIMAX_BASE_URL
// (MiniMax's, ending in /v1: the AI SDK posts to `${baseURL}/messages`), the key from MINIMAX_API_KEY. The local
// stand-in (`python -m helpers serve`) needs no key; MiniMax itself does, and nothing is sent without one.
import { createAnthropic } from "@ai-sdk/anthropic";

const baseURL = process.env.MINIMAX_BASE_URL ?? "https://api.minimax.io/anthropic/v1";
const local = /^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(baseURL);
const apiKey = process.env.MINIMAX_API_KEY ?? (local ? "any-text" : undefined);
if (!apiKey) {
  console.error("Set MINIMAX_API_KEY to call MiniMax, or MINIMAX_BASE_URL=http://127.0.0.1:8765/v1 for the local server.");
  process.exit(2);
}

export const minimax = createAnthropic({ baseURL, apiKey });
