/**
 * The emulator's offline web: a few dozen short pages written for the lab, each at a stable URL under
 * https://offline.lab.invalid/ (`.invalid` can never resolve, so nobody mistakes them for the live web).
 * Web search in the emulator searches only these pages, and says so in every answer and title.
 */
export interface WebPage {
  slug: string;
  title: string;
  text: string;
}

export const CORPUS_HOST = "https://offline.lab.invalid";

export const PAGES: WebPage[] = [
  {
    slug: "foundry-agents",
    title: "What is a Foundry agent?",
    text: "A Microsoft Foundry agent is a definition the service keeps: a model deployment, instructions and tools. Agents are stored as immutable, numbered versions, and you call a version through the Responses API with an agent_reference. Prompt agents run inside the service; hosted agents run your own container.",
  },
  {
    slug: "responses-api",
    title: "The Responses API in one page",
    text: "The Responses API takes input items and returns output items: messages, tool calls and tool results. A response can continue a server-side conversation or chain to a previous response with previous_response_id. With stream set to true, the service sends server-sent events such as response.output_text.delta and response.completed.",
  },
  {
    slug: "conversations",
    title: "Server-side conversations",
    text: "A conversation is a list of items that the service keeps. Each response that names the conversation reads its history and appends its own input and output, so the client sends only the new user message. Conversations can be listed, extended with items and deleted.",
  },
  {
    slug: "built-in-tools",
    title: "Built-in tools versus function tools",
    text: "Built-in tools such as web search, file search and code interpreter run inside the service: the client sends a question and receives an answer with citations, with no tool loop of its own. Function tools are different: the model asks the client to run a function, and the client sends the result back in a second request.",
  },
  {
    slug: "web-search-tool",
    title: "The web search tool",
    text: "The web search tool lets a model search the web while it answers. The response contains a web_search_call item with the query, and the answer carries url_citation annotations with the title and URL of each page it used. Web search is not available in every region, and some organisations disable it by policy.",
  },
  {
    slug: "file-search-tool",
    title: "File search and vector stores",
    text: "File search answers from your own documents. Files are uploaded, attached to a vector store that cuts them into chunks and indexes them, and the file_search tool searches that store for each question. Answers cite the files with file_citation annotations. Vector stores can expire after a number of days without use.",
  },
  {
    slug: "model-router",
    title: "Model router",
    text: "Model router is a deployment that picks a model for each request, for example a small fast model for short questions and a larger one for demanding requests. The response's model field names the model that actually served the request.",
  },
  {
    slug: "mcp",
    title: "The Model Context Protocol (MCP)",
    text: "The Model Context Protocol is an open protocol that lets applications offer tools and data to models. An MCP server lists its tools and runs them when called. Agents can call MCP servers as tools, and a human can be asked to approve each call before it runs.",
  },
  {
    slug: "nodejs-lts",
    title: "Node.js release lines",
    text: "Node.js publishes a new major version every six months. Even-numbered releases become long-term support (LTS) releases in October and receive fixes for thirty months. Node.js 22 and Node.js 24 are LTS lines; Node.js 24 can run TypeScript files directly by stripping their types.",
  },
  {
    slug: "nodejs-type-stripping",
    title: "Running TypeScript with Node.js type stripping",
    text: "Recent versions of Node.js run .ts files directly: they remove type annotations before running the code, without a compiler. Only erasable syntax works, so enums, namespaces and parameter properties are not allowed, and relative imports must include the .ts extension. Type checking still needs tsc.",
  },
  {
    slug: "nodejs-event-loop",
    title: "The Node.js event loop",
    text: "Node.js runs JavaScript on a single thread and handles input and output with an event loop. Timers, network sockets and file operations hand their callbacks to the loop when they complete, so one process can serve many connections at once without threads.",
  },
  {
    slug: "typescript",
    title: "TypeScript",
    text: "TypeScript is JavaScript with static types. The compiler checks types and can emit plain JavaScript. Strict mode catches more mistakes, such as values that might be undefined. TypeScript was first released by Microsoft in 2012.",
  },
  {
    slug: "lab-demos",
    title: "The Foundry Agent Lab demos",
    text: "The Foundry Agent Lab has nine demos, from hello to hosted agents. Demo 0 introduces agent versions and conversations, demo 1 function tools and the client-side loop, demo 3 web search with citations, demo 5 file search over an employee handbook, demo 6 MCP with human approval, and demo 8 a self-hosted agent.",
  },
  {
    slug: "lab-emulator",
    title: "The lab's offline emulator",
    text: "The Foundry Agent Lab ships an emulator of a Foundry project that runs on your own machine over HTTPS. The unmodified SDKs talk to it, so every demo works without a cloud account. Its lab model is deterministic and is not a language model; its web search only searches this offline corpus.",
  },
  {
    slug: "weather-basics",
    title: "Weather basics: what makes weather",
    text: "Weather is the state of the atmosphere at a place and time: temperature, humidity, wind, cloud and precipitation. It is driven by the sun heating the Earth unevenly, which moves air from high pressure to low pressure. Climate is the average of weather over thirty years or more.",
  },
  {
    slug: "weather-forecasts",
    title: "How weather forecasts are made",
    text: "Weather forecasts come from numerical models that divide the atmosphere into a grid and compute how it changes, starting from millions of observations by satellites, weather balloons and ground stations. Forecasts are usually reliable for about five to seven days.",
  },
  {
    slug: "rainbows",
    title: "Why rainbows appear",
    text: "A rainbow appears when sunlight enters raindrops, bends, reflects inside them and leaves split into its colours. You see it with the sun behind you, and red is always on the outside of the main bow. A fainter second rainbow has its colours in reverse order.",
  },
  {
    slug: "sky-blue",
    title: "Why the sky is blue",
    text: "The sky is blue because air molecules scatter short blue wavelengths of sunlight much more than long red ones; this is called Rayleigh scattering. At sunrise and sunset, light crosses more air, the blue is scattered away, and the sky turns orange and red.",
  },
  {
    slug: "oslo",
    title: "Oslo, capital of Norway",
    text: "Oslo is the capital and largest city of Norway, at the head of the Oslofjord. About 700,000 people live in the city. It is known for its opera house, the Viking Ship collection and the Holmenkollen ski jump.",
  },
  {
    slug: "paris",
    title: "Paris, capital of France",
    text: "Paris is the capital of France, on the river Seine. About two million people live in the city itself and over twelve million in its metropolitan area. The Eiffel Tower was built for the 1889 World's Fair.",
  },
  {
    slug: "mount-everest",
    title: "Mount Everest",
    text: "Mount Everest, on the border between Nepal and China, is the highest mountain above sea level at 8,849 metres. It was first climbed in 1953 by Edmund Hillary and Tenzing Norgay.",
  },
  {
    slug: "amazon-river",
    title: "The Amazon river",
    text: "The Amazon in South America carries more water than any other river, about a fifth of all the fresh water that rivers bring to the oceans. Its basin holds the largest tropical rainforest on Earth.",
  },
  {
    slug: "sahara",
    title: "The Sahara desert",
    text: "The Sahara in North Africa is the largest hot desert in the world, covering about nine million square kilometres. Only a small part of it is sand dunes; most of it is stony plateau and gravel plains.",
  },
  {
    slug: "ada-lovelace",
    title: "Ada Lovelace and the first program",
    text: "Ada Lovelace wrote in 1843 what is often called the first computer program: a method for Charles Babbage's Analytical Engine to compute Bernoulli numbers. She also saw that such machines could work with symbols, not only numbers.",
  },
  {
    slug: "alan-turing",
    title: "Alan Turing",
    text: "Alan Turing described in 1936 an abstract machine that can compute anything computable, now called a Turing machine. During the Second World War he helped break German ciphers at Bletchley Park, and in 1950 he proposed the imitation game, known as the Turing test.",
  },
  {
    slug: "eniac",
    title: "ENIAC, an early electronic computer",
    text: "ENIAC, completed in 1945 in Philadelphia, was one of the first general-purpose electronic computers. It used about 18,000 vacuum tubes, weighed around 27 tonnes and was programmed by setting switches and cables; its first programmers were six women.",
  },
  {
    slug: "transistor",
    title: "The transistor",
    text: "The transistor was invented at Bell Labs in 1947 by John Bardeen, Walter Brattain and William Shockley. Transistors replaced vacuum tubes, and integrated circuits later placed thousands and then billions of them on one chip.",
  },
  {
    slug: "world-wide-web",
    title: "The World Wide Web",
    text: "Tim Berners-Lee proposed the World Wide Web in 1989 at CERN and wrote the first web browser and server in 1990. The web links documents with URLs and HTTP; the internet it runs on is older.",
  },
  {
    slug: "https-tls",
    title: "HTTPS and TLS certificates",
    text: "HTTPS is HTTP over TLS. The server presents a certificate, and the client checks that a certificate authority it trusts signed it for that host name. A self-signed certificate is trusted only when the client is told to trust it, for example with NODE_EXTRA_CA_CERTS in Node.js.",
  },
  {
    slug: "sqlite",
    title: "SQLite",
    text: "SQLite is a small database engine that stores a whole database in one file. Node.js includes it as node:sqlite. Its FTS5 extension provides full-text search with BM25 ranking.",
  },
  {
    slug: "bm25",
    title: "BM25 ranking",
    text: "BM25 is a ranking function for search engines. It scores a document higher when it contains the query's words often, when those words are rare in the collection, and it dampens the effect of long documents. It remains a strong baseline for keyword search.",
  },
  {
    slug: "coffee",
    title: "A short history of coffee",
    text: "Coffee drinking spread from Yemen in the fifteenth century to the Ottoman Empire and then to Europe, where the first coffee houses opened in the seventeenth century. Today most coffee is grown in Brazil, Vietnam and Colombia.",
  },
];

export function pageUrl(page: WebPage): string {
  return `${CORPUS_HOST}/${page.slug}`;
}

/** Every title says where it comes from, so a citation never passes for a live web page. */
export function pageTitle(page: WebPage): string {
  return `${page.title} (offline lab corpus)`;
}
