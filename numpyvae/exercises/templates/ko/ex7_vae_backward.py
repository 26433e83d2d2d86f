"""연습 문제 7: VAE의 backward 전체를 연습 문제 1-6의 조각으로 조립하기.

강의: Loss Function과 단계1-3 전체. Eq. (6)의 모든 가중치에 대한 기울기를, forward와 반대
방향으로 Eq. (9), (7), (8)을 거치는 연쇄 법칙으로 구합니다.

Forward(주어짐: library의 ``VAE.forward``), 예제 N개의 배치에 대해::

    h      = encoder(x)                    (N, hidden)       Eq. (1)   self.encoder, MLP
    mu     = h W_mu + b_mu                 (N, latent_dim)   Eq. (1)   self.heads["mu"]
    logvar = h W_lv + b_lv                 (N, latent_dim)   Eq. (1)   self.heads["logvar"]
    z      = mu + exp(logvar / 2) * eps    (N, latent_dim)   Eq. (2)   self.reparam
    logits = decoder(z) W_out + b_out      (N, D)            Eq. (3)   self.decoder, self.out
    loss   = 1/N sum_n [ recon_n + beta KL_n ]                Eq. (4), (5), (6)

latent_dim은 잠재(latent) 공간의 차원, mu와 logvar는 근사 사후분포(posterior) q(z|x)의
평균과 log 분산, KL은 q(z|x)와 사전분포(prior) N(0, I) 사이의 Regularization 항입니다.

forward가 backward를 위해 ``self.cache``에 남겨 두는 것:

    "dlogits"   d(sum_n recon_n)/dlogits = p - x, (N, D)            Eq. (9)
    "dkl"       {"mu": d(sum_n KL_n)/dmu, "logvar": d(sum_n KL_n)/dlogvar}, 각각
                (N, latent_dim), kl_std_normal이 돌려주는 그대로            Eq. (8)
    "n"         N, 배치 크기
    "beta"      이 배치에서 KL의 가중치

cache의 두 기울기는 배치에 대한 합(SUM)의 기울기이고, Eq. (6)의 loss는 평균(MEAN)입니다.

쓸 수 있는 조각: 모든 계층(``self.out``, ``self.decoder``, ``self.heads["mu"]``,
``self.heads["logvar"]``, ``self.encoder``)에 자기 ``backward``가 있습니다. dL/d(자기 출력)을
받아 dL/d(자기 입력)을 돌려주고, 자기 가중치의 기울기를 모델의 ``self.grads``에 씁니다.
``self.reparam.backward(dz)``는 샘플만을 거친 ``(dmu, dlogvar)``를 돌려줍니다, Eq. (7).
``self.encoder.backward(..., need_dx=False)``는 dL/dx를 건너뜁니다(x는 데이터라 갱신할 것이
없습니다).

먼저 종이에 풀어 보세요, backward가 도는 순서대로:

1. Eq. (6)의 평균: d(loss)/d(recon_n)은 얼마이고 d(loss)/d(KL_n)은 얼마인가요? 그러면
   cache의 dlogits에는 무엇을 곱하고, cache의 dkl에는 무엇을 곱하나요?
2. Decoder: dL/dlogits에서 ``self.out``, 그다음 ``self.decoder``를 거슬러 dL/dz까지.
3. mu와 logvar는 각각 두 경로로 loss에 닿습니다: 샘플 z를 거치는 경로(Eq. (2), 미분하면
   Eq. (7))와 KL 항을 거치는 경로(Eq. (5), 미분하면 Eq. (8)). 그래프를 그려 보세요:
   x -> h -> (mu, logvar) -> z -> logits, 그리고 (mu, logvar) -> KL. 연쇄 법칙은 경로들에
   대해 합합니다.
4. h는 두 head에 모두 들어갑니다: dL/dh는 무엇인가요?
5. Encoder: dL/dh에서 ``self.encoder``를 거슬러.
6. 무엇을 돌려주나: ``fit``은 ``optimizer.step(model.backward())``를 하므로 backward는
   모델 자신의 기울기 mapping ``self.grads``(이름 "encoder.0.W" ...)를 돌려줍니다.

힌트:
- beta는 KL 항에만 곱해지고, cache에 있는 이 배치의 beta입니다: KL warm-up은 배치마다
  beta를 바꾸므로 ``self.config.beta``는 forward가 쓴 값이 아닐 수 있습니다.
- 단계를 손으로 다시 쓰기보다 주어진 조각을 쓰세요: 손으로 쓴 단계(샘플의 기울기, ReLU의
  도함수, p - x)마다 실수할 자리가 생깁니다.
- 깊이에 상관없게 쓰세요: 검사는 hidden layer가 두 개인 모델로도 돌립니다.
- 검사는 backward를 여러 번 부릅니다: 크기가 다른 배치(N = 1도), beta = 0, beta = 1과 다른
  값, eps = 0, 같은 배치 두 번. 호출마다 그 배치의 기울기여야 합니다: 앞선 호출에서 남기거나
  더한 것이 없어야 하고, backward에서 난수를 뽑으면 안 됩니다(샘플의 eps는 forward가 뽑은
  것입니다).
- ``super().backward()``를 부르지 마세요: 그것은 여러분의 답이 아니라 library의 답입니다.

여러분의 코드 검사(이 폴더에서, 또는 이 폴더가 있는 폴더에서)::

    numpyvae exercises check --only vae_backward

기울기가 틀리면 검사는 연쇄의 어느 단계에서 처음 달라지는지(Decoder의 출력, 한 계층, mu와
logvar로 들어오는 두 경로, Encoder)를 알려 주고, 검사한 모든 설정을 설명하는 전형적인 실수가
하나 있으면 그것이 무엇인지도 알려 줍니다. 연습 문제 1-7을 모두 풀면 ``numpyvae exercises
train``이 여러분의 코드로 만든 VAE를 ``numpyvae.train.fit``으로 library의 VAE와 나란히
학습시키고 두 test -ELBO를 출력합니다.

풀어 본 뒤 library의 구현과 비교해 보세요: numpyvae/model.py, ``VAE.backward``.
"""

import numpy as np  # noqa: F401 -- 여러분의 코드를 위해

import numpyvae


class VAE(numpyvae.VAE):
    """library의 VAE(계층, reparameterization, loss, forward)에 여러분의 backward를 더한 것."""

    def backward(self):
        """마지막 forward()의 loss를 모든 parameter로 미분한 기울기. ``self.grads``를 돌려줍니다."""
        # self.cache에는 "dlogits", "dkl", "n", "beta"가 있습니다: 위의 docstring을 보세요.
        # 여러분의 코드: docstring의 1-6단계, 그다음 `return self.grads`.
        raise NotImplementedError("exercise 7: write VAE.backward")
