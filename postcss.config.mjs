// Tailwind CSS v4 through PostCSS (used by `next build`).
export default {
  plugins: {
    "@tailwindcss/postcss": {},
  },
};
