export type Role = 'USER' | 'ADMIN';

/** Who is asking: the verified subject and role of a bearer token. */
export interface Actor {
  userId: string;
  role: Role;
}
