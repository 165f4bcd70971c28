"""The operator tools: bench, matrix, soak, the online rehearsal, least privilege (rbac)."""
