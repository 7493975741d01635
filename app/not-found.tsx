import { NotFoundPage } from "@/app/_components/not-found-page.tsx";

export default function NotFound() {
  return <NotFoundPage title="Page not found" message="There is nothing at this address." href="/" linkText="Back to the overview" />;
}
