import { LoadingSkeleton } from "@/app/_components/loading-skeleton.tsx";

export default function Loading() {
  return <LoadingSkeleton />;
}
