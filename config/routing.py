from accounts.routing import websocket_urlpatterns as accounts_ws
from historical.routing import websocket_urlpatterns as historical_ws
from jobs.routing import websocket_urlpatterns as jobs_ws
from market.routing import websocket_urlpatterns as market_ws
from orders.routing import websocket_urlpatterns as orders_ws
from strategies.routing import websocket_urlpatterns as strategies_ws

websocket_urlpatterns = [*accounts_ws, *jobs_ws, *market_ws, *orders_ws, *historical_ws, *strategies_ws]
