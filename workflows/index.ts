// Every workflow the worker runs is exported from here (one file per flow). Workflow code is
// deterministic: see eslint.config.mjs for what it may not import or call.
export { purchase } from './purchase';
export { sync } from './sync';
export { announcement } from './announcement';
export { topup } from './topup';
export { unverify, verify } from './verify';
export { taskClaim, taskMessage } from './task';
export { order } from './order';
export { deposit } from './deposit';
export { withdraw } from './withdraw';
export { memberRoles } from './verify-roles';
export { padSession } from './pad';
export { ticket } from './ticket';
export { cardTrade } from './card-trade';
export { cardAlerts } from './card-alerts';
