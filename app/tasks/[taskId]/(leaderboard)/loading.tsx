// In a route group so its loading UI wraps only the leaderboard, not datasets/[slug] (whose layout must answer 404 first).
import { LoadingSkeleton } from "@/app/_components/loading-skeleton.tsx";

export default function Loading() {
  return <LoadingSkeleton />;
}
