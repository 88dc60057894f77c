// A LangGraph.js ReAct agent with one tool. agentd calls the exported factory with a LangChain chat
// model bound to its gateway (routed, budgeted, traced and journaled by agentd) and runs the graph
// it returns; the last message of the final state is the agent's answer.
import { tool } from '@langchain/core/tools';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { z } from 'zod';

const forecast = tool(async ({ city }) => `${city}: 18°C, light rain in the afternoon`, {
  name: 'get_forecast',
  description: "Today's weather forecast for a city",
  schema: z.object({ city: z.string().describe('the city name') }),
});

/** The graph, built on the model agentd passes. */
export function graph(model) {
  return createReactAgent({ llm: model, tools: [forecast] });
}
