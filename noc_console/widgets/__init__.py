"""Small reusable UI pieces; they may use services' DTOs but never run queries themselves."""
