// The kinds of entry in the centre's record of an organisation (issue 17), shared by the schema
// and the views.

export const ORGANIZATION_RECORD_KINDS = ['terminated'] as const;
export type OrganizationRecordKind = (typeof ORGANIZATION_RECORD_KINDS)[number];

export const ORGANIZATION_RECORD_KIND_LABELS: Record<OrganizationRecordKind, string> = {
  terminated: '终止合作',
};
