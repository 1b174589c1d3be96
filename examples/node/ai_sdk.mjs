// MiniMax through the Vercel AI SDK (`ai` and `@ai-sdk/anthropic`), the same question as quickstart.mjs.
// The AI SDK's baseURL ends in /v1 (it posts to `${baseURL}/messages`), unlike the Anthropic SDK's:
//   live:     MINIMAX_BASE_URL=https://api.minimax.io/anthropic/v1 MINIMAX_API_KEY=<your key> node ai_sdk.mjs
//             (China: https://api.minimaxi.com/anthropic/v1)
//   keyless:  `python -m helpers serve --port 8765` in another terminal, then
//             MINIMAX_BASE_URL=http://127.0.0.1:8765/v1 node ai_sdk.mjs
// Optional: PROMPT="..." asks something else (the local server answers only what is recorded).
import { generateText } from "ai";

import { minimax } from "./minimax_provider.mjs";

try {
  const result = await generateText({
    model: minimax("MiniMax-M2.1"),
    maxOutputTokens: 1000,
    system: "You are a helpful assistant.",
    prompt: process.env.PROMPT ?? "Hi, how are you?",
    maxRetries: 0,
  });
  if (result.reasoningText) console.log(`Thinking:\n${result.reasoningText}\n`);
  console.log(`Text:\n${result.text}\n`);
} catch (error) {
  // An APICallError carries the server's status and body: print what the server said, never the key.
  console.error(`${error.name}: ${error.statusCode ?? ""} ${error.responseBody ?? error.message}`);
  process.exit(1);
}
