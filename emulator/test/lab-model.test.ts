import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import type { App } from "../src/context.ts";
import { createLabModel } from "../src/model/lab-model.ts";
import { factsIn, recallKey } from "../src/model/memory.ts";
import { asksAboutState } from "../src/model/parse/questions.ts";
import { servedModel } from "../src/model/routing.ts";
import { changesState } from "../src/model/skills/effects.ts";
import type { Json } from "../src/validate.ts";
import { startLab } from "./support.ts";

const model = createLabModel();
const user = (text: string): Json => ({
  type: "message",
  role: "user",
  content: [{ type: "input_text", text }],
});
const assistant = (text: string): Json => ({
  type: "message",
  role: "assistant",
  content: [{ type: "output_text", text, annotations: [] }],
});

async function say(turns: string[], deployment = "model-router", instructions: string | null = null) {
  const items = turns.flatMap((text, i) =>
    i < turns.length - 1 ? [user(text), assistant("ok")] : [user(text)],
  );
  const reply = await model.respond({
    deployment,
    instructions,
    tools: [],
    items,
    toolChoice: "auto",
    include: [],
    app: {} as App, // plain conversation needs none of the emulator's stores
  });
  const message = reply.output[0] as { content: Array<{ text: string }> };
  return { model: reply.model, text: message.content[0]?.text ?? "" };
}

describe("the lab model", () => {
  it("introduces itself honestly and mentions the agent's instructions", async () => {
    const { text } = await say(["Hello!"], "model-router", "You are a cheerful tutor for the Foundry lab.");
    expect(text).toContain("offline lab model of the Foundry Agent Lab emulator");
    expect(text).toContain("not a language model");
    expect(text).toContain("You are a cheerful tutor");
    expect((await say(["Who are you?"])).text).toContain("deterministic");
  });

  it("answers questions about itself, thanks and a plain 'ok' as such", async () => {
    for (const question of [
      "Tell me about yourself",
      "what is your name?",
      "whats your name",
      "Are you ChatGPT?",
      "Which model are you?",
      "how are you?",
    ]) {
      const { text } = await say([question]);
      expect(text, question).toContain("not a language model");
      expect(text, question).not.toContain("no knowledge of my own");
    }
    expect((await say(["great, thanks"])).text).toContain("You're welcome");
    expect((await say(["ok"])).text).not.toContain("welcome");
  });

  it("remembers stated facts from earlier turns only", async () => {
    const facts = ["My name is Ada.", "My favourite colour is teal", "I live in Oslo", "I am a teacher"];
    expect((await say([...facts, "What is my name?"])).text).toBe(
      "Your name is Ada — you told me earlier in this conversation.",
    );
    expect(
      (await say(["Remember the word pelican.", "Which word did I ask you to remember?"])).text,
    ).toContain("pelican");
    expect((await say(["I parked on level 3.", "Where did I park?"])).text).toContain(
      "You parked on level 3",
    );
    expect((await say([...facts, "what's my favorite color?"])).text).toContain(
      "Your favourite colour is teal",
    );
    expect((await say([...facts, "Where do I live?"])).text).toContain("You live in Oslo");
    expect((await say([...facts, "What do I do?"])).text).toContain("You are a teacher");
    expect((await say(["What is my name?"])).text).toMatch(/haven't told me your name/);
    expect((await say(["My name is Ada", "Call me Grace", "Who am I?"])).text).toContain(
      "Your name is Grace",
    );
  });

  it("reads names and recall questions as people type them (no or curly apostrophes, 'I'm Ada')", async () => {
    const told = "Your name is Ada — you told me earlier in this conversation.";
    for (const question of ["whats my name", "what\u2019s my name?", "What was my name again?", "Who am I?"])
      expect((await say(["My name is Ada.", question])).text).toBe(told);
    for (const statement of ["Hi, I\u2019m Ada", "I am Ada.", "Im Ada", "My name\u2019s Ada."])
      expect((await say([statement, "What is my name?"])).text).toBe(told);
    expect((await say(["I am Ada Lovelace and I live in London", "who am i"])).text).toContain(
      "Your name is Ada Lovelace",
    );
    expect((await say(["I am Dr. Smith.", "Who am I?"])).text).toContain("Your name is Dr Smith");
    expect(factsIn("I'm Norwegian")).toEqual([]);
    expect(factsIn("I'm tired")).toEqual([]);
  });

  it("passes on a developer message the application added after the question, instead of knowing nothing", async () => {
    const ask = async (items: Json[]) => {
      const reply = await model.respond({
        deployment: "model-router",
        instructions: null,
        tools: [],
        items,
        toolChoice: "auto",
        include: [],
        app: {} as App,
      });
      return (reply.output[0] as { content: Array<{ text: string }> }).content[0]?.text ?? "";
    };
    const note = (text: string): Json => ({
      type: "message",
      role: "developer",
      content: [{ type: "input_text", text }],
    });
    const answered = await ask([user("How far is the marathon in km?"), note("The distance is 42.195 km.")]);
    expect(answered).toContain("The distance is 42.195 km.");
    expect(answered).not.toContain("no knowledge of my own");
    // A developer message before the question is standing context, not this question's answer.
    expect(await ask([note("The distance is 42.195 km."), user("Tell me a joke")])).toContain(
      "no knowledge of my own",
    );
  });

  it("acknowledges facts as they are stated", async () => {
    const { text } = await say(["Hi, my name is Ada and I live in Oslo."]);
    expect(text).toContain("Nice to meet you, Ada");
    expect(text).toContain("you live in Oslo");
  });

  it("quotes the first or the previous user message", async () => {
    const turns = ["Tell me about agents", "And about tools", "What did I say first?"];
    expect((await say(turns)).text).toContain('"Tell me about agents"');
    expect((await say([...turns.slice(0, 2), "What did I say before?"])).text).toContain('"And about tools"');
    expect((await say(["What did I say earlier?"])).text).toContain("nothing earlier to quote");
  });

  it("otherwise says it cannot answer from knowledge of its own, and what it can do here", async () => {
    const { text } = await say(["first", "second", "What is the capital of France?"]);
    expect(text).toContain("turn 3");
    expect(text).toContain('"What is the capital of France?"');
    expect(text).toContain("FOUNDRY_PROJECT_ENDPOINT");
    expect(text).toContain("not a language model");
    expect(text).toContain("no tools");
  });

  it("model-router sends long or analytic requests to the large model", async () => {
    expect(servedModel("model-router", "hi")).toBe("lab-offline-mini");
    expect(servedModel("model-router", "Can you explain agents?")).toBe("lab-offline-large");
    expect(servedModel("model-router", Array(41).fill("word").join(" "))).toBe("lab-offline-large");
    expect(servedModel("lab-offline-mini", "explain everything")).toBe("lab-offline-mini");
    expect((await say(["Compare these two plans"])).model).toBe("lab-offline-large");
  });

  it("does not mistake questions or requests for facts", () => {
    expect(factsIn("Is my name Ada?")).toEqual([]);
    expect(factsIn("My question is simple")).toEqual([]);
    expect(factsIn("my dog's name is Rex")).toEqual([{ key: "dog's name", value: "Rex" }]);
    expect(recallKey("What is my dog's name?")).toBe("dog's name");
    expect(recallKey("Tell me a joke")).toBeUndefined();
  });
});

describe("the lab model's function calls", () => {
  const catalogue = JSON.parse(readFileSync(new URL("./corpus/tools.json", import.meta.url), "utf8")) as {
    tools: Record<string, Json & { strict?: boolean; parameters: object }>;
  };
  /** A strict schema of every kind the service allows: nullable, enum, integer, boolean, array, object. */
  const everyKind = {
    type: "function",
    name: "plan_trip",
    description: "Plan a trip for a traveller.",
    strict: true,
    parameters: {
      type: "object",
      properties: {
        destination: { type: "string", description: "City to travel to" },
        depart_on: { type: "string", description: "Departure date, YYYY-MM-DD" },
        travellers: { type: "integer", description: "Number of travellers" },
        budget: { type: ["number", "null"], description: "Budget amount" },
        pace: { type: "string", enum: ["relaxed", "busy"] },
        pets: { type: "boolean", description: "Travelling with pets" },
        interests: { type: "array", items: { type: "string" }, description: "Things to see" },
        contact: {
          type: "object",
          properties: { email: { type: ["string", "null"], description: "E-mail address" } },
          required: ["email"],
          additionalProperties: false,
        },
      },
      required: ["destination", "depart_on", "travellers", "budget", "pace", "pets", "interests", "contact"],
      additionalProperties: false,
    },
  };
  const strictTools = [...Object.values(catalogue.tools).filter((t) => t.strict === true), everyKind];
  const requests = [
    "Plan a relaxed trip to Kyoto on 2027-04-01 for 2 travellers with a budget of $3000, interested in Temples and Gardens, email me at ada@example.com",
    "A busy trip to Lima for one, on 2027-05-05, with my dog",
    "Trip to Oslo",
    "Rent a van in Bergen from 2027-06-01 to 2027-06-03",
    "Book Noma for 2 tomorrow at 8pm",
    "Convert 12 euros to yen",
    "Invoice Northwind for 99.50 GBP",
    "Flights from Tunis to Rome on 2027-10-10 for 4, first class",
    "hello",
  ];

  async function callsFor(tools: Json[], text: string, toolChoice: Json | string = "auto") {
    const reply = await model.respond({
      deployment: "lab-offline-mini",
      instructions: null,
      tools,
      items: [user(text)],
      toolChoice,
      include: [],
      app: {} as App,
    });
    return reply.output.filter((item) => item.type === "function_call") as Array<{
      name: string;
      arguments: string;
    }>;
  }

  it("gives strict schemas arguments that validate, whatever the request says", async () => {
    const ajv = new Ajv({ strict: false });
    let made = 0;
    for (const tool of strictTools) {
      const validate = ajv.compile(tool.parameters as object);
      for (const text of requests) {
        for (const call of await callsFor([tool], text)) {
          made++;
          const args = JSON.parse(call.arguments);
          expect(
            validate(args),
            `${tool.name} for "${text}": ${call.arguments} ${ajv.errorsText(validate.errors)}`,
          ).toBe(true);
        }
      }
    }
    expect(made).toBeGreaterThanOrEqual(6);
    const [trip] = await callsFor([everyKind], requests[0] ?? "");
    expect(JSON.parse(trip?.arguments ?? "{}")).toEqual({
      destination: "Kyoto",
      depart_on: "2027-04-01",
      travellers: 2,
      budget: 3000,
      pace: "relaxed",
      pets: false,
      interests: ["Temples", "Gardens"],
      contact: { email: "ada@example.com" },
    });
  });

  it("honours tool_choice: none answers in text, a named tool or required forces a call", async () => {
    const tools = Object.values(catalogue.tools);
    expect(await callsFor(tools, "Weather in Oslo?", "none")).toEqual([]);
    const named = await callsFor(tools, "Lisbon", { type: "function", name: "get_local_time" });
    expect(named.map((c) => [c.name, c.arguments])).toEqual([["get_local_time", '{"city":"Lisbon"}']]);
    const required = await callsFor([catalogue.tools.get_stock_price as Json], "MSFT please", "required");
    expect(required.map((c) => c.arguments)).toEqual(['{"symbol":"MSFT"}']);
  });

  it("copes with odd schemas and odd messages: no exception, arguments always JSON", async () => {
    const odd = [
      { type: "function", name: "bare" },
      { type: "function", name: "nulled", parameters: null },
      {
        type: "function",
        name: "mixed",
        description: "Mixed up schema",
        parameters: {
          type: "object",
          properties: { a: 5, b: { enum: [1, 2, null] }, c: { type: ["null"] }, d: { anyOf: [] } },
          required: ["a", "b", "c", "d", "missing"],
        },
      },
      {
        type: "function",
        name: "nested",
        description: 42,
        parameters: { properties: { deep: { type: "object", properties: { deeper: { type: "object" } } } } },
      },
    ] as Json[];
    for (const text of [
      "mixed up",
      "bare nulled nested",
      "1 2 3",
      "",
      "é".repeat(20_000),
      '"""',
      "$$$ 10k",
    ]) {
      for (const choice of ["auto", "required"]) {
        const calls = await callsFor(odd, text, choice);
        for (const call of calls) expect(() => JSON.parse(call.arguments)).not.toThrow();
      }
    }
  });
});

describe("tool choice reads a description's topic, not its examples", () => {
  it("'And in Oslo?' after a weather question stays with the weather tool beside a clock tool whose description names Oslo as an example", async () => {
    const lab = await startLab();
    try {
      const tools = [
        {
          type: "function" as const,
          name: "get_local_time",
          description: "The current local time in an IANA time zone, e.g. Europe/Oslo.",
          strict: true,
          parameters: {
            type: "object",
            properties: { zone: { type: "string", description: "IANA time zone name." } },
            required: ["zone"],
            additionalProperties: false,
          },
        },
        {
          type: "function" as const,
          name: "get_weather",
          description: "Get the current weather for a city.",
          strict: true,
          parameters: {
            type: "object",
            properties: { city: { type: "string", description: "City name, e.g. Paris" } },
            required: ["city"],
            additionalProperties: false,
          },
        },
      ];
      const first = await lab.openai.responses.create({
        model: "model-router",
        input: "What's the weather in Paris?",
        tools,
      });
      const call = first.output.find((o) => o.type === "function_call");
      if (call?.type !== "function_call") throw new Error("expected a call");
      expect(call.name).toBe("get_weather");
      const answered = await lab.openai.responses.create({
        model: "model-router",
        previous_response_id: first.id,
        input: [{ type: "function_call_output", call_id: call.call_id, output: '{"temperature":11.4}' }],
        tools,
      });
      const next = await lab.openai.responses.create({
        model: "model-router",
        previous_response_id: answered.id,
        input: "And in Oslo?",
        tools,
      });
      const calls = next.output.filter((o) => o.type === "function_call");
      expect(calls.map((c) => (c.type === "function_call" ? [c.name, c.arguments] : []))).toEqual([
        ["get_weather", '{"city":"Oslo"}'],
      ]);
    } finally {
      await lab.close();
    }
  });
});

describe("a city parameter read as people type it", () => {
  it("takes 'Paris, France' as one place, lower-case names of two words whole, and 'what should I wear' as weather", async () => {
    const lab = await startLab();
    try {
      const tools = [
        {
          type: "function" as const,
          name: "get_weather",
          description: "Get the current weather (temperature, wind, conditions) for a city.",
          strict: true,
          parameters: {
            type: "object",
            properties: {
              city: { type: "string", description: "City name, for example Oslo or Buenos Aires." },
            },
            required: ["city"],
            additionalProperties: false,
          },
        },
      ];
      const calls = async (input: string) => {
        const response = await lab.openai.responses.create({ model: "model-router", input, tools });
        return response.output.flatMap((o) =>
          o.type === "function_call" ? [JSON.parse(o.arguments).city] : [],
        );
      };
      expect(await calls("What is the weather like in Paris, France?")).toEqual(["Paris"]);
      expect(await calls("weather in san francisco")).toEqual(["san francisco"]);
      expect(await calls("What should I wear in Rome today?")).toEqual(["Rome"]);
      expect(await calls("Weather for Oslo and Bergen please")).toEqual(["Oslo", "Bergen"]);
    } finally {
      await lab.close();
    }
  });
});

describe("a question never acts: which sentences ask and which tools act", () => {
  it("tells a question about how things are from a request in a question's form", () => {
    const asking = [
      "are the lights in the study on",
      "Was my parcel delivered?",
      "hi, has anyone replied to ticket 40?",
      "whats the status of order 7",
      "will it rain in Bergen tomorrow?",
      "can you find out whether the garage is open",
      "do u know if the oven is off",
    ];
    const requesting = [
      "could you switch the porch light on",
      "will u email Ada the agenda",
      "can I get a cab to the station at 6",
      "would you mind cancelling my 3pm",
      "please close ticket 40",
      "turn the heating down",
      "how about booking Nobu for 8",
    ];
    expect(asking.filter((s) => !asksAboutState(s))).toEqual([]);
    expect(requesting.filter((s) => asksAboutState(s))).toEqual([]);
  });

  it("reads whether a tool acts from its readOnlyHint, its name's verb, or its description's first word", () => {
    const tool = (name: string, description = "", annotations?: Json) => ({ name, description, annotations });
    expect(changesState(tool("archiveNote"))).toBe(true);
    expect(changesState(tool("fetch_invoice"))).toBe(false);
    expect(changesState(tool("thermostat", "Set the target temperature."))).toBe(true);
    expect(changesState(tool("thermostat", "Reads the current temperature."))).toBe(false);
    expect(changesState(tool("delete_row", "", { readOnlyHint: true }))).toBe(false);
    expect(changesState(tool("get_and_reset", "", { readOnlyHint: false }))).toBe(true);
  });
});
