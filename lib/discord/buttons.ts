import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponent } from 'discord-api-types/v10';
import { customId } from './custom-id';

type ActionStyle = ButtonStyle.Primary | ButtonStyle.Secondary | ButtonStyle.Success | ButtonStyle.Danger;

/** One row of buttons whose custom ids are `gf:{action}:{key}`: for the bot's replies and the messages activities post. */
export function buttonRow(buttons: { action: string; key?: string; label: string; style?: ActionStyle; disabled?: boolean }[]): APIActionRowComponent<APIButtonComponent> {
  return {
    type: ComponentType.ActionRow,
    components: buttons.map((b) => ({
      type: ComponentType.Button,
      style: b.style ?? ButtonStyle.Secondary,
      label: b.label,
      custom_id: customId(b.action, b.key ?? ''),
      disabled: b.disabled ?? false,
    })),
  };
}
