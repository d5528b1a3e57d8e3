"""The worker pipeline on its own: every algorithm trains and acts; model files are checked on load."""

import re

import numpy as np
import pytest

from strategies.synthetic import candles_frame, trading_days, zigzag_closes

pytestmark = pytest.mark.slow

TINY = {
    "PPO": {"total_timesteps": 128, "n_steps": 64, "batch_size": 32, "n_epochs": 1},
    "A2C": {"total_timesteps": 64, "n_steps": 8},
    "DDPG": {"total_timesteps": 96, "learning_starts": 32, "batch_size": 16, "action_noise": "normal"},
    "TD3": {"total_timesteps": 96, "learning_starts": 32, "batch_size": 16, "action_noise": "ornstein_uhlenbeck"},
    "SAC": {"total_timesteps": 96, "learning_starts": 32, "batch_size": 16, "ent_coef": "auto"},
}


@pytest.fixture(scope="module")
def market():
    from strategies.rl import pipeline

    dates = trading_days("2022-01-03", 120)
    frame = candles_frame({c: zigzag_closes(120, seed=i) for i, c in enumerate(["000010", "000020"])}, dates)
    features = pipeline.engineer_features(frame, indicators=["macd", "rsi_6"], use_turbulence=False)
    return pipeline.split(features, dates[0], dates[89]), pipeline.split(features, dates[90], dates[-1])


def _spec(algorithm, train):
    from strategies.rl import pipeline

    return pipeline.EnvSpec(
        algorithm=algorithm,
        symbols=["000010", "000020"],
        indicators=["macd", "rsi_6"],
        initial_cash=10_000_000,
        hmax=pipeline.default_hmax(train, initial_cash=10_000_000, symbols=2),
        buy_cost=[0.00015, 0.00015],
        sell_cost=[0.00215, 0.00215],
        reward_scaling=1e-5,
    )


@pytest.mark.parametrize("algorithm", list(TINY))
def test_every_algorithm_trains_saves_loads_and_acts(market, algorithm, tmp_path):
    from strategies.rl import pipeline

    train, test = market
    reports = []
    agent = pipeline.train(
        train,
        _spec(algorithm, train),
        hyperparameters=TINY[algorithm],
        seed=5,
        report=lambda done, total, reward: reports.append((done, total)),
        report_every=16,
    )
    assert reports and reports[-1][1] == TINY[algorithm]["total_timesteps"]
    sha = agent.save(tmp_path / "model.zip")
    loaded = pipeline.TrainedAgent.load(tmp_path / "model.zip", sha256=sha)
    state = np.asarray(pipeline.make_env(test, loaded.spec).reset()[0])
    assert np.allclose(agent.act(state), loaded.act(state))
    episode = pipeline.run_episode(pipeline.make_env(test, loaded.spec), loaded.act)
    assert len(episode.equity) == len(test.index.unique())


def test_a_changed_model_file_is_refused(market, tmp_path):
    from strategies.rl import pipeline

    train, _ = market
    agent = pipeline.train(train, _spec("A2C", train), hyperparameters=TINY["A2C"], seed=1)
    path = tmp_path / "model.zip"
    sha = agent.save(path)
    assert agent.save(tmp_path / "again.zip") == sha  # same model, same bytes
    path.write_bytes(path.read_bytes() + b"tampered")
    with pytest.raises(ValueError, match=re.escape(pipeline.MODEL_CHECKSUM.format(name="model.zip"))):
        pipeline.TrainedAgent.load(path, sha256=sha)


def test_turbulence_feature_and_threshold(market):
    from strategies.rl import pipeline

    dates = trading_days("2019-01-01", 320)
    frame = candles_frame({c: zigzag_closes(320, seed=i) for i, c in enumerate(["000010", "000020"])}, dates)
    features = pipeline.engineer_features(frame, indicators=["macd"], use_turbulence=True)
    assert "turbulence" in features.columns
    assert features["turbulence"].iloc[: 252 * 2].eq(0).all()  # FinRL needs a year of history first
    assert pipeline.turbulence_threshold(features) > 0
