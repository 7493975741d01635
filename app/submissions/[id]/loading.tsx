import { LoadingSkeleton } from "../../_components/loading-skeleton.tsx";

export default function Loading() {
  return <LoadingSkeleton />;
}
