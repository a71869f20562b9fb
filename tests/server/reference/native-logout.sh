#!/usr/bin/env bash
# The API-client logout script of the reference document "User logout" (Ory Kratos), unchanged but
# for the base URL and the token, which come from the environment: BASE_URL, SESSION_TOKEN
set -u

# Set your token here
session_token="${SESSION_TOKEN}"

curl -s -v -X DELETE \
-H "Accept: application/json" \
-H "Content-Type: application/json" \
--data '{"session_token": "'$session_token'"}' \
"${BASE_URL}/self-service/logout/api"
