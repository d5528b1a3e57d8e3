/**
 * Shapes of the walk-forward and track-record responses: the generated schema types where the schema
 * has them (src/types/api.d.ts), the JSON fields it leaves open (a run's `windows`) as docs/strategies.md
 * describes them.
 */
import type { components } from "@/types/api";
import type { Metrics } from "@/types/models";

type Schemas = components["schemas"];

export type TrackRecord = Schemas["TrackRecordOutput"];
export type TrackDay = Schemas["TrackDayOutput"];
export type WalkForwardTraining = Schemas["WalkForwardTrainingEnum"];

/** One walk-forward window: its periods, the model trained for it and its test. */
export interface WalkForwardWindow {
  index: number;
  train_start: string;
  train_end: string;
  validation_start: string | null;
  validation_end: string | null;
  test_start: string;
  test_end: string;
  trained_through: string;
  first_day: string;
  last_day: string;
  start_equity: number;
  end_equity: number;
  return: number;
  trades: number;
  metrics: Partial<Metrics>;
  model_sha256: string;
}
