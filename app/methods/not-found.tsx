import { NotFoundPage } from "@/app/_components/not-found-page.tsx";

export default function MethodNotFound() {
  return (
    <NotFoundPage
      title="Unknown method"
      message="No method with this id is registered in the results database."
      href="/methods"
      linkText="All methods"
    />
  );
}
