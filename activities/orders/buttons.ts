import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponent } from 'discord-api-types/v10';
import { customId } from '../../lib/discord/custom-id';

/** The custom id action of an order's Top up button (bot/commands/orders/order.ts handles it). */
export const ORDER_TOPUP_ACTION = 'order-topup';

export function topupButtonRow(orderId: string): APIActionRowComponent<APIButtonComponent> {
  return {
    type: ComponentType.ActionRow,
    components: [{ type: ComponentType.Button, style: ButtonStyle.Primary, label: 'Top up', custom_id: customId(ORDER_TOPUP_ACTION, orderId) }],
  };
}
