import { Type, type Static } from 'typebox';
import { ROLES } from '../../db/schema.ts';
import { OneLine } from '../../lib/schemas.ts';

const text = (maxLength: number) => OneLine({ minLength: 1, maxLength });
export const Email = Type.String({ format: 'email', maxLength: 254 });
export const Password = Type.String({ minLength: 10, maxLength: 256 });

export const LoginBody = Type.Object({
  email: Email,
  password: Type.String({ minLength: 1, maxLength: 256 }),
});

export const StaffRole = Type.Enum(['admin', 'agent', 'inspector', 'expert']);

export const CreateUserBody = Type.Object({
  email: Email,
  name: text(100),
  role: StaffRole,
  password: Password,
  specialties: Type.Optional(Type.Array(text(50), { maxItems: 20 })),
  affiliationUscc: Type.Optional(OneLine({ maxLength: 30 })),
});
export type CreateUserInput = Static<typeof CreateUserBody>;

export const RegisterOrganizationBody = Type.Object({
  name: text(200),
  uscc: OneLine({ minLength: 18, maxLength: 30 }),
  type: text(50),
  legalRepresentative: text(50),
  contactName: text(50),
  phone: Type.String({ pattern: '^[0-9+\\- ()]{5,30}$' }),
  email: Email,
  password: Password,
  address: text(300),
});
export type RegisterOrganizationInput = Static<typeof RegisterOrganizationBody>;

export const UserView = Type.Object({
  id: Type.String(),
  role: Type.Enum(ROLES),
  name: Type.String(),
  email: Type.String(),
  specialties: Type.Array(Type.String()),
  affiliationUscc: Type.Union([Type.String(), Type.Null()]),
  organization: Type.Union([
    Type.Object({ id: Type.String(), name: Type.String(), uscc: Type.String(), emailVerified: Type.Boolean() }),
    Type.Null(),
  ]),
});

export const LoginReply = Type.Object({
  token: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
  user: Type.Object({ id: Type.String(), role: Type.String(), name: Type.String() }),
});

export const OrganizationCreated = Type.Object({ id: Type.String(), userId: Type.String() });

const Token = Type.String({ minLength: 1, maxLength: 200 });

export const VerifyEmailBody = Type.Object({ token: Token });

export const ChangePasswordBody = Type.Object({
  oldPassword: Type.String({ minLength: 1, maxLength: 256 }),
  newPassword: Password,
});

export const PasswordResetBody = Type.Object({ email: Email });

export const PasswordResetConfirmBody = Type.Object({ token: Token, newPassword: Password });
