// @ts-check

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Next's "X-Powered-By: Next.js" tells an attacker what to look for and a client nothing.
  poweredByHeader: false,
  // Database drivers (better-sqlite3 is a native addon) load from node_modules at run time, unbundled.
  serverExternalPackages: ["better-sqlite3", "@prisma/adapter-better-sqlite3", "@prisma/adapter-pg", "pg"],
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "X-Frame-Options", value: "DENY" },
        ],
      },
    ];
  },
};

export default nextConfig;
