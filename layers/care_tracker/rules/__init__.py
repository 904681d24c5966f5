"""Pure domain rules: plain functions of plain data (no boto3, no clock reads)."""
