export {
  compileRule,
  compileRules,
  compileRuleSet,
  RISK_RANGES,
  withHash,
  type RuleCompilation,
} from './compile.js';
export { compileCondition, type ConditionContext } from './condition.js';
