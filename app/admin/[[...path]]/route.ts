import { unknownAdminPath } from "@/lib/http/admin";

// Every /admin path without a route of its own (Kratos's admin API has more than this app offers):
// 404 once authorized, so with ADMIN_API_TOKEN unset every /admin path is the same 404, and without
// the token no path tells whether it exists.
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = unknownAdminPath();
