from tests.near_misses.miss import DELETE, Miss

ERROR = {"code": "rest_invalid_param", "message": "Invalid parameter(s): id",
         "data": {"status": 400, "params": {"id": "id is not of type integer."}}}

CASES = [
    Miss("wordpress.error", ERROR, "/code", DELETE, "required", "an error without its machine code"),
    Miss("wordpress.error", ERROR, "/data/status", "400", "type", "status sent as a string"),
    Miss("wordpress.error", ERROR, "/message", ["bad"], "type", "message as a list"),
]
