import { NotFoundPage } from "@/app/_components/not-found-page.tsx";

export default function RunNotFound() {
  return (
    <NotFoundPage
      title="Unknown run"
      message="No run with this id exists in the results database."
      href="/"
      linkText="Back to the overview"
    />
  );
}
