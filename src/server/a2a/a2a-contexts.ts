/** One exchange of an A2A conversation: the agentd task and what the remote user said in it. */
export interface A2aExchange {
  taskId: string;
  userText: string;
}

interface Conversation {
  owner: string;
  exchanges: A2aExchange[];
}

const MAX_CONTEXTS = 2_000;
const MAX_EXCHANGES = 20;

/**
 * Which agentd tasks belong to which A2A `contextId`, kept in this process only: a follow-up
 * message after a server restart starts a fresh conversation (see docs/a2a.md). Bounded, oldest
 * conversation dropped first, and owned: only the actor that started a context may continue it.
 */
export class A2aContexts {
  private readonly conversations = new Map<string, Conversation>();
  private readonly contextOfTask = new Map<string, string>();

  /** The earlier exchanges of `contextId` that `owner` may build on; empty for a new or foreign context. */
  previous(contextId: string, owner: string): readonly A2aExchange[] {
    const conversation = this.conversations.get(contextId);
    return conversation && conversation.owner === owner ? conversation.exchanges : [];
  }

  /** Whether `contextId` exists and belongs to someone else (a client may not continue it). */
  isForeign(contextId: string, owner: string): boolean {
    const conversation = this.conversations.get(contextId);
    return conversation !== undefined && conversation.owner !== owner;
  }

  /** Records a new exchange of `contextId`. */
  record(contextId: string, owner: string, exchange: A2aExchange): void {
    let conversation = this.conversations.get(contextId);
    if (!conversation) {
      if (this.conversations.size >= MAX_CONTEXTS) this.dropOldest();
      conversation = { owner, exchanges: [] };
      this.conversations.set(contextId, conversation);
    }
    conversation.exchanges.push(exchange);
    this.contextOfTask.set(exchange.taskId, contextId);
    while (conversation.exchanges.length > MAX_EXCHANGES) {
      const dropped = conversation.exchanges.shift();
      if (dropped) this.contextOfTask.delete(dropped.taskId);
    }
  }

  /** The context of a task created through A2A, if this process remembers it. */
  contextOf(taskId: string): string | undefined {
    return this.contextOfTask.get(taskId);
  }

  /** What the remote user said in a task created through A2A. */
  userTextOf(taskId: string): string | undefined {
    const contextId = this.contextOfTask.get(taskId);
    if (contextId === undefined) return undefined;
    return this.conversations.get(contextId)?.exchanges.find((e) => e.taskId === taskId)?.userText;
  }

  /** The task ids of a context, oldest first. */
  tasksOf(contextId: string, owner: string): string[] {
    return this.previous(contextId, owner).map((e) => e.taskId);
  }

  private dropOldest(): void {
    const oldest = this.conversations.keys().next();
    if (oldest.done) return;
    for (const exchange of this.conversations.get(oldest.value)?.exchanges ?? []) {
      this.contextOfTask.delete(exchange.taskId);
    }
    this.conversations.delete(oldest.value);
  }
}
