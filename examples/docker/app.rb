# The app of Dockerfile.example: it reads its settings from the environment
# like any twelve-factor app, unaware of s3-kms-env.
require "sinatra"

set :bind, "0.0.0.0"
set :port, Integer(ENV.fetch("PORT", "8080"))

get "/healthz" do
  # Says which settings arrived, never their values.
  missing = %w[DB_USERNAME DB_PASSWORD DB_HOSTNAME].reject { |name| ENV.key?(name) }
  halt 500, "missing: #{missing.join(", ")}\n" unless missing.empty?
  "ok\n"
end
