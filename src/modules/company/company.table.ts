import type { Generated, Selectable } from 'kysely';

/** A customer code of the ERP: what the shop sells to. Times are epoch ms. */
export interface CompanyTable {
  id: Generated<number>;
  /** The 5-digit customer code printed on the invoices. */
  code: string;
  name: string;
  /** The person who signs in with the code itself (the account holder before company accounts). */
  holder_account_id: number | null;
  created_at: number;
  updated_at: number;
  disabled_at: number | null;
}

/** Administrateur manages the team; Acheteur orders; Consultation sees. The shop reads the role. */
export const ROLES = ['admin', 'buyer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Roles in the order of what they allow: an invitation never grants more than its inviter holds (S44). */
export const ROLE_RANK: Record<Role, number> = { viewer: 0, buyer: 1, admin: 2 };

export interface MembershipTable {
  id: Generated<number>;
  company_id: number;
  account_id: number;
  role: Role;
  created_at: number;
  updated_at: number;
}

export type InvitationState = 'pending' | 'accepted' | 'withdrawn';

export interface InvitationTable {
  id: Generated<number>;
  company_id: number;
  email: string;
  email_lc: string;
  given_name: string;
  family_name: string;
  role: Role;
  invited_by_account_id: number | null;
  invited_by_staff_id: number | null;
  created_at: number;
  expires_at: number;
  state: InvitationState;
  decided_at: number | null;
  accepted_account_id: number | null;
}

export type Company = Selectable<CompanyTable>;
export type Membership = Selectable<MembershipTable>;
export type Invitation = Selectable<InvitationTable>;
