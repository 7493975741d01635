import { NotFoundPage } from "@/app/_components/not-found-page.tsx";

export default function SubmissionNotFound() {
  return (
    <NotFoundPage
      title="Unknown submission"
      message="No submission with this id exists on this server."
      href="/"
      linkText="Back to the overview"
    />
  );
}
