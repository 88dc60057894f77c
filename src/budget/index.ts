export { createBudget } from './budget.js';
export type { Budget, Reservation, Spend } from './budget.js';
export { BudgetConfigSchema } from './budget-config.js';
export { BudgetLimitsSchema, tightestLimits } from './budget-limits.js';
export type { BudgetLimits } from './budget-limits.js';
export { countTokens, tokenUpperBound } from './count-tokens.js';
export type { TokenCounter } from './count-tokens.js';
export { createCostMeter, reservationNeedsExactInput } from './cost-meter.js';
export type { CostMeter, MeteredCall } from './cost-meter.js';
