"""`finbrief bench`: briefs timed side by side with the engine floor and the naive baseline."""
