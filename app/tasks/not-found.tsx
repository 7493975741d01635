import { NotFoundPage } from "@/app/_components/not-found-page.tsx";

export default function TaskNotFound() {
  return (
    <NotFoundPage
      title="Unknown task"
      message="No task with this id is registered in the results database."
      href="/#tasks"
      linkText="All tasks"
    />
  );
}
