import { NotFoundPage } from "@/app/_components/not-found-page.tsx";

export default function DatasetNotFound() {
  return (
    <NotFoundPage
      title="Unknown dataset"
      message="This task has no dataset with this name in the results database."
      href="/#tasks"
      linkText="All tasks"
    />
  );
}
