// @ts-check

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Next's "X-Powered-By: Next.js" tells an attacker what to look for and a client nothing.
  poweredByHeader: false,
  // No image optimisation: the app shows no images through next/image, and /_next/image would let
  // anyone make the server resize images on demand.
  images: { unoptimized: true },
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
          // Browsers honour it only over https, so it is harmless on http://localhost.
          { key: "Strict-Transport-Security", value: "max-age=31536000" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=()" },
          { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
        ],
      },
    ];
  },
};

export default nextConfig;
