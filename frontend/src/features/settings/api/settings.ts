import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api";
import type { SettingsPatch, UserSettings } from "@/types/models";

export const settingsKey = ["settings"] as const;

export const getSettings = () => api.get<UserSettings>("settings");

export const settingsQueryOptions = () => queryOptions({ queryKey: settingsKey, queryFn: getSettings });

export const useSettings = () => useQuery(settingsQueryOptions());

export function useUpdateSettings() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (patch: SettingsPatch) => api.patch<UserSettings>("settings", patch),
    onSuccess: (data) => client.setQueryData(settingsKey, data),
  });
}
