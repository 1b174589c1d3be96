// A tool loop through the Vercel AI SDK: notebook 03's weather question, with the same canned tool results.
// The AI SDK runs the loop itself (stopWhen) and sends each tool's result back; configure as in ai_sdk.mjs:
//   keyless:  MINIMAX_BASE_URL=http://127.0.0.1:8765/v1 node ai_sdk_tools.mjs   (with `python -m helpers serve`)
//   live:     MINIMAX_BASE_URL=https://api.minimax.io/anthropic/v1 MINIMAX_API_KEY=<your key> node ai_sdk_tools.mjs
import { generateText, jsonSchema, stepCountIs, tool } from "ai";

import { minimax } from "./minimax_provider.mjs";
const weather = { Paris: "Paris: 14 °C, light rain", Oslo: "Oslo: 3 °C, snow showers", Lisbon: "Lisbon: 19 °C, sunny" };

try {
  const result = await generateText({
    model: minimax("MiniMax-M2.1"),
    maxOutputTokens: 1000,
    maxRetries: 0,
    stopWhen: stepCountIs(3),
    prompt: "Compare the weather in Paris, Oslo and Lisbon right now. Where is it warmest?",
    tools: {
      get_weather: tool({
        description: "Get the current weather in a city. Returns temperature and conditions.",
        inputSchema: jsonSchema({
          type: "object",
          properties: { city: { type: "string", description: "The city name, e.g. Paris" } },
          required: ["city"],
        }),
        execute: async ({ city }) => weather[city] ?? `${city}: no data`,
      }),
    },
  });
  for (const step of result.steps) {
    for (const call of step.toolCalls) console.log(`Tool call: get_weather(${JSON.stringify(call.input)})`);
  }
  console.log(`Text:\n${result.text}\n`);
} catch (error) {
  console.error(`${error.name}: ${error.statusCode ?? ""} ${error.responseBody ?? error.message}`);
  process.exit(1);
}
