// Every API the tests build checks its answers against the routes' declared responses (api/openapi/route.ts):
// a route answering what it does not declare fails its test with a 500. Child processes inherit it.
process.env.GUILDFLOW_CHECK_RESPONSES = '1';
