import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, ApiError } from "@/lib/api";
import type { LoginResult, User } from "@/types/models";

export const meQueryKey = ["auth", "me"] as const;

/** The logged-in user, or null when the session is anonymous. Also sets the CSRF cookie. */
export async function getMe(): Promise<User | null> {
  try {
    return await api.get<User>("auth/me");
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) return null;
    throw error;
  }
}

export const meQueryOptions = () => queryOptions({ queryKey: meQueryKey, queryFn: getMe, staleTime: 5 * 60_000 });

export const useMe = () => useQuery(meQueryOptions());

export interface Credentials {
  username: string;
  password: string;
  email?: string;
}

export const login = (input: Credentials) => api.post<LoginResult>("auth/login", input);
export const register = (input: Credentials) => api.post<LoginResult>("auth/register", input);
export const logout = () => api.post<void>("auth/logout");

export function useLogin() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: login,
    onSuccess: (result) => client.setQueryData(meQueryKey, result.user),
  });
}

export function useRegister() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: register,
    onSuccess: (result) => client.setQueryData(meQueryKey, result.user),
  });
}

export function useLogout() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: logout,
    onSettled: () => {
      client.clear();
      client.setQueryData(meQueryKey, null);
    },
  });
}
