import { Type, type Static } from 'typebox';

export const NotificationSettingsBody = Type.Object(
  { dailyDigest: Type.Boolean({ description: '是否接收每日监督摘要' }) },
  { additionalProperties: false },
);
export type NotificationSettings = Static<typeof NotificationSettingsBody>;

/** The page's form: a checkbox sends `on` when ticked and nothing when not. */
export const NotificationSettingsForm = Type.Object({ dailyDigest: Type.Optional(Type.Literal('on')) });
