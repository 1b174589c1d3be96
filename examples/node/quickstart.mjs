// MiniMax's quick start (Node.js), from its "Compatible Anthropic API" page.
// Configure with environment variables, as that page says:
//   ANTHROPIC_BASE_URL=https://api.minimax.io/anthropic   (China: https://api.minimaxi.com/anthropic)
//   ANTHROPIC_API_KEY=<your MiniMax key>
// Keyless, against the recordings: `python -m helpers serve --port 8765` in another terminal, then
//   ANTHROPIC_BASE_URL=http://127.0.0.1:8765 ANTHROPIC_API_KEY=any-text node quickstart.mjs
import Anthropic from "@anthropic-ai/sdk";

const client = new Anthropic();

const message = await client.messages.create({
  model: "MiniMax-M2.1",
  max_tokens: 1000,
  system: "You are a helpful assistant.",
  messages: [
    {
      role: "user",
      content: [
        {
          type: "text",
          text: "Hi, how are you?",
        },
      ],
    },
  ],
});

for (const block of message.content) {
  if (block.type === "thinking") {
    console.log(`Thinking:\n${block.thinking}\n`);
  } else if (block.type === "text") {
    console.log(`Text:\n${block.text}\n`);
  }
}
