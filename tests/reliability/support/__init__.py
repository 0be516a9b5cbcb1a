"""Helpers of the reliability suite: fault proxies, hostile strings, thread races, secret scans."""
