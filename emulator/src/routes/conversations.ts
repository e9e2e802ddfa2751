/**
 * OpenAI conversations and their items (`openai.conversations.*`), mounted under `/openai/v1` and under
 * the agent endpoint. A conversation is server-side history: responses that name it read it and append
 * their input and output to it.
 */
import { param, type Reply, type RequestContext } from "../context.ts";
import { invalidPayload, notFound } from "../errors.ts";
import { normalizeItem } from "../items.ts";
import { paginate, parsePageParams } from "../paging.ts";
import type { Router } from "../router.ts";
import { type Json, optionalArray, optionalMetadata } from "../validate.ts";

/** Items per create call, as on the service. */
const MAX_ITEMS = 20;

export function mountConversations(router: Router, prefix: string, foundry: boolean): void {
  router.add("POST", `${prefix}/conversations`, createConversation, foundry);
  router.add("GET", `${prefix}/conversations/:id`, getConversation, foundry);
  router.add("POST", `${prefix}/conversations/:id`, updateConversation, foundry);
  router.add("DELETE", `${prefix}/conversations/:id`, deleteConversation, foundry);
  router.add("POST", `${prefix}/conversations/:id/items`, createItems, foundry);
  router.add("GET", `${prefix}/conversations/:id/items`, listItems, foundry);
  router.add("GET", `${prefix}/conversations/:id/items/:item`, getItem, foundry);
  router.add("DELETE", `${prefix}/conversations/:id/items/:item`, deleteItem, foundry);
}

function readItems(body: Json, required: boolean): Json[] {
  const items = optionalArray(body, "items");
  if (items === undefined) {
    if (required) throw invalidPayload("items", "'items' is required and must be an array.");
    return [];
  }
  if (items.length > MAX_ITEMS)
    throw invalidPayload("items", `'items' can hold at most ${MAX_ITEMS} items per request.`);
  return items.map((item, i) => normalizeItem(item, `items[${i}]`));
}

async function createConversation(ctx: RequestContext): Promise<Reply> {
  const body = await ctx.json();
  const metadata = optionalMetadata(body) ?? {};
  const { conversation } = ctx.app.conversations.create(metadata, readItems(body, false));
  return { status: 200, body: conversation };
}

export function conversationNotFound(id: string, param: string | null = null) {
  return notFound(`Conversation with id '${id}' not found.`, param);
}

function existing(ctx: RequestContext) {
  const conversation = ctx.app.conversations.get(param(ctx, "id"));
  if (conversation === undefined) throw conversationNotFound(param(ctx, "id"));
  return conversation;
}

function getConversation(ctx: RequestContext): Reply {
  return { status: 200, body: existing(ctx) };
}

async function updateConversation(ctx: RequestContext): Promise<Reply> {
  const body = await ctx.json();
  const metadata = optionalMetadata(body);
  if (metadata === undefined)
    throw invalidPayload("metadata", "'metadata' is required and must be an object.");
  const updated = ctx.app.conversations.updateMetadata(param(ctx, "id"), metadata);
  if (updated === undefined) throw conversationNotFound(param(ctx, "id"));
  return { status: 200, body: updated };
}

function deleteConversation(ctx: RequestContext): Reply {
  const id = param(ctx, "id");
  if (!ctx.app.conversations.delete(id)) throw conversationNotFound(id);
  return { status: 200, body: { id, object: "conversation.deleted", deleted: true } };
}

async function createItems(ctx: RequestContext): Promise<Reply> {
  const body = await ctx.json();
  const items = readItems(body, true);
  const stored = ctx.app.conversations.addItems(param(ctx, "id"), items);
  if (stored === undefined) throw conversationNotFound(param(ctx, "id"));
  return {
    status: 200,
    body: {
      object: "list",
      data: stored,
      first_id: stored[0]?.id ?? null,
      last_id: stored[stored.length - 1]?.id ?? null,
      has_more: false,
    },
  };
}

function listItems(ctx: RequestContext): Reply {
  const page = parsePageParams(ctx.query, "desc");
  existing(ctx);
  const items = ctx.app.conversations.listItems(param(ctx, "id"));
  return { status: 200, body: { object: "list", ...paginate(items, page, (item) => String(item.id)) } };
}

function getItem(ctx: RequestContext): Reply {
  existing(ctx);
  const item = ctx.app.conversations.getItem(param(ctx, "id"), param(ctx, "item"));
  if (item === undefined)
    throw notFound(`Item with id '${param(ctx, "item")}' not found in this conversation.`);
  return { status: 200, body: item };
}

/** Like the service, deleting an item answers with the conversation it was removed from. */
function deleteItem(ctx: RequestContext): Reply {
  const conversation = existing(ctx);
  if (!ctx.app.conversations.deleteItem(conversation.id, param(ctx, "item"))) {
    throw notFound(`Item with id '${param(ctx, "item")}' not found in this conversation.`);
  }
  return { status: 200, body: conversation };
}
